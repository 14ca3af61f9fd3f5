//! Outlet: who published each article. `content/sources/<slug>.md` decides first (its `seeds`
//! list); otherwise clues in the text: a `Source: X` line, a house promo or copyright line
//! naming the outlet ("the best of CGTN", "other MEE newsletters"), a wire dateline ("BEIRUT
//! (Reuters) -"), its own correspondent ("Al Jazeera's Resul Serdar said", "a Al-Hurra
//! correspondent"), an interview ("told MEE"). Citing another outlet
//! ("according to Reuters", "cited by the Reuters news agency") is not a clue.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use rayon::prelude::*;
use regex::Regex;
use serde::Deserialize;

use crate::content::Content;
use crate::model::{CleanedArticle, Digest};

#[derive(Debug, Clone, Deserialize)]
struct KnownOutlet {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct KnownOutlets {
    outlet: Vec<KnownOutlet>,
}

fn known_outlets() -> &'static [KnownOutlet] {
    static KNOWN: OnceLock<Vec<KnownOutlet>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        toml::from_str::<KnownOutlets>(include_str!("data/outlets.toml"))
            .map(|k| k.outlet)
            // Embedded data, checked by a unit test.
            .unwrap_or_default()
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outlet {
    pub slug: String,
    pub name: String,
    pub homepage: Option<String>,
    /// `content`, `source-line`, `promo`, `copyright`, `dateline`, `correspondent`,
    /// `interview`, or `unidentified`.
    pub identified_by: String,
    pub syndicated_by: BTreeSet<String>,
}

/// The outlets found, sorted by slug, and for each article the index of its outlet.
#[derive(Debug, Clone)]
pub struct Attribution {
    pub outlets: Vec<Outlet>,
    pub of_article: Vec<usize>,
}

pub const UNIDENTIFIED_SLUG: &str = "unidentified";

/// A name the text may use for an outlet, pointing at the outlet's canonical name.
struct Alias {
    text: String,
    canonical: String,
    homepage: Option<String>,
}

pub fn identify(articles: &[CleanedArticle], content: &Content) -> Attribution {
    identify_reusing(articles, content, None, &KnownClues::new()).0
}

/// What the text of one article says of its outlet: the outlet it points at and how (`None`
/// when nothing does), and the outlets its syndication notes name.
pub type Clues = (Option<(String, String)>, Vec<String>);

/// Clues already read, by `clue_key`.
pub type KnownClues = HashMap<u64, Clues>;

/// `identify`, reusing the clues of articles read before: `digests` (when given) stands for
/// each article's text (`cache::cleaned_digest`), and `known` holds clues by `clue_key`.
/// Returns the attribution and the clues of every article, by key, for the cache.
pub fn identify_reusing(
    articles: &[CleanedArticle],
    content: &Content,
    digests: Option<&[Digest]>,
    known: &KnownClues,
) -> (Attribution, KnownClues) {
    let aliases = alias_table(content);
    // Compiled only if some article's clues are not known.
    let names: OnceLock<Option<Regex>> = OnceLock::new();
    let names = || {
        names
            .get_or_init(|| {
                let pattern = aliases.iter().map(|a| regex::escape(&a.text)).collect::<Vec<_>>().join("|");
                Regex::new(&format!(r"\b(?:{pattern})\b")).ok()
            })
            .as_ref()
    };
    let aliases_key = aliases_key(&aliases);

    // Each article's clues, side by side; then the outlets in article order.
    // Per article: outlet slug, name, homepage, how it was found, its clues and their key.
    type Found = (String, String, Option<String>, String, Clues, Option<u64>);
    let found: Vec<Found> = articles
        .par_iter()
        .enumerate()
        .map(|(i, article)| {
            let key = digests.map(|d| clue_key(aliases_key, &d[i]));
            let clues = match key.and_then(|k| known.get(&k)) {
                Some(clues) => clues.clone(),
                None => (clues(article, names(), &aliases), syndicators(article)),
            };
            let by_content = content.sources.iter().find(|(_, page)| {
                page.meta.seeds.iter().any(|s| s == &article.seed || format!("seeds/{s}") == article.seed)
            });
            let (name, homepage, how) = if let Some((slug, page)) = by_content {
                let name = page.meta.name.clone().unwrap_or_else(|| slug.clone());
                (name, page.meta.url.clone(), "content".to_string())
            } else if let Some((name, how)) = &clues.0 {
                let homepage = aliases.iter().find(|a| &a.canonical == name).and_then(|a| a.homepage.clone());
                (name.clone(), homepage, how.clone())
            } else {
                ("Unidentified outlet".to_string(), None, "unidentified".to_string())
            };
            let slug = if how == "unidentified" { UNIDENTIFIED_SLUG.to_string() } else { slugify(&name) };
            (slug, name, homepage, how, clues, key)
        })
        .collect();
    // The rest goes one by one, article by article (the first article of an outlet names it),
    // so it is kept to lookups: slugs are made above, on every core (making them here took most
    // of this loop's 4 ms in a rebuild at 10,000 articles).
    let mut learned = KnownClues::with_capacity(found.len());
    // slug -> outlet, filled as articles are attributed.
    let mut outlets: BTreeMap<String, Outlet> = BTreeMap::new();
    let mut chosen: Vec<String> = Vec::with_capacity(articles.len());
    for (slug, name, homepage, how, clues, key) in found {
        // Looked up before `entry`, which would take a copy of the slug for every article.
        let outlet = match outlets.get_mut(&slug) {
            Some(outlet) => outlet,
            None => outlets.entry(slug.clone()).or_insert(Outlet {
                slug: slug.clone(),
                name,
                homepage,
                identified_by: how,
                syndicated_by: BTreeSet::new(),
            }),
        };
        outlet.syndicated_by.extend(clues.1.iter().cloned());
        chosen.push(slug);
        if let Some(key) = key {
            learned.insert(key, clues);
        }
    }
    // Editor notes may rename or add a homepage to an outlet found from text.
    for (slug, page) in &content.sources {
        if let Some(outlet) = outlets.get_mut(slug) {
            if let Some(name) = &page.meta.name {
                outlet.name = name.clone();
            }
            if page.meta.url.is_some() {
                outlet.homepage = page.meta.url.clone();
            }
        }
    }
    let outlets: Vec<Outlet> = outlets.into_values().collect();
    // The outlets are in slug order (a map's values): each article's is found by halving.
    let of_article = chosen
        .iter()
        .map(|slug| outlets.binary_search_by(|o| o.slug.as_str().cmp(slug)).unwrap_or(0))
        .collect();
    (Attribution { outlets, of_article }, learned)
}

/// A hash of the names clues are matched against (the binary is the cache's own key).
fn aliases_key(aliases: &[Alias]) -> Digest {
    crate::chunks::chunk_key("outlet aliases", |h| {
        for alias in aliases {
            h.str(&alias.text);
            h.str(&alias.canonical);
        }
    })
}

/// The key of an article's clues: the names they are matched against and the article.
fn clue_key(aliases_key: Digest, digest: &Digest) -> u64 {
    let key = crate::chunks::chunk_key("outlet clues", |h| {
        h.bytes(&aliases_key);
        h.bytes(digest);
    });
    u64::from_le_bytes(key[..8].try_into().unwrap_or([0; 8]))
}

fn alias_table(content: &Content) -> Vec<Alias> {
    let mut table = Vec::new();
    let mut add = |text: &str, canonical: &str, homepage: Option<&String>| {
        if !text.trim().is_empty() {
            table.push(Alias {
                text: text.to_string(),
                canonical: canonical.to_string(),
                homepage: homepage.cloned(),
            });
        }
    };
    for page in content.sources.values() {
        if let Some(name) = &page.meta.name {
            add(name, name, page.meta.url.as_ref());
            for alias in &page.meta.aliases {
                add(alias, name, page.meta.url.as_ref());
            }
        }
    }
    for known in known_outlets() {
        add(&known.name, &known.name, known.url.as_ref());
        for alias in &known.aliases {
            add(alias, &known.name, known.url.as_ref());
        }
    }
    // Longest first, so "Al Jazeera English" wins over "Al Jazeera" in the alternation.
    table.sort_by(|a, b| b.text.len().cmp(&a.text.len()).then(a.text.cmp(&b.text)));
    table
}

/// Scores each outlet the text points at; the best with enough evidence wins.
fn clues(article: &CleanedArticle, names: Option<&Regex>, aliases: &[Alias]) -> Option<(String, String)> {
    for removed in &article.removed {
        if removed.reason == "source-line" {
            let name = removed.text.split_once(':').map(|(_, n)| n.trim()).unwrap_or("");
            if !name.is_empty() {
                let canonical = canonical_name(name, aliases).unwrap_or(name);
                return Some((canonical.trim_end_matches('.').to_string(), "source-line".into()));
            }
        }
    }
    let names = names?;
    // name -> (score, strongest kind of clue)
    let mut scores: BTreeMap<&str, (u32, u32, &'static str)> = BTreeMap::new();
    let lines = article
        .removed
        .iter()
        .map(|r| {
            let house = match r.reason.as_str() {
                "newsletter-promo" => Some("promo"),
                "copyright" => Some("copyright"),
                _ => None,
            };
            (&*r.text, house, false)
        })
        .chain(article.blocks.iter().enumerate().map(|(i, b)| (&*b.text, None, i == 0)));
    for (text, house, is_lead) in lines {
        for found in names.find_iter(text) {
            let Some(canonical) = canonical_name(found.as_str(), aliases) else {
                continue;
            };
            let before = text[..found.start()].to_lowercase();
            let after = &text[found.end()..];
            let (weight, kind) = if let Some(house) = house {
                (6, house)
            } else if is_lead && wire_dateline(&text[..found.start()], after) {
                (8, "dateline")
            } else if before.ends_with("according to ")
                || before.ends_with("according to the ")
                || before.ends_with("cited by ")
                || before.ends_with("cited by the ")
            {
                (0, "citation")
            } else if after.starts_with(" correspondent")
                || after.starts_with(" reporter")
                || after
                    .strip_prefix("'s ")
                    .or_else(|| after.strip_prefix("’s "))
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_uppercase()))
            {
                (4, "correspondent")
            } else if before.ends_with("told ") || before.ends_with("told the ") {
                (2, "interview")
            } else {
                (0, "mention")
            };
            let entry = scores.entry(canonical).or_insert((0, 0, "mention"));
            entry.0 += weight;
            if weight > entry.1 {
                entry.1 = weight;
                entry.2 = kind;
            }
        }
    }
    scores
        .into_iter()
        .filter(|(_, (score, _, _))| *score >= 2)
        .max_by(|a, b| a.1.0.cmp(&b.1.0).then(b.0.cmp(a.0)))
        .map(|(name, (_, _, kind))| (name.to_string(), kind.to_string()))
}

/// A wire dateline opening the article: "BEIRUT (Reuters) -", "Kyiv, Ukraine (AP) —".
fn wire_dateline(before: &str, after: &str) -> bool {
    let place = before.trim_end();
    before.len() <= 60
        && place.ends_with('(')
        && place[..place.len() - 1].trim().chars().next().is_some_and(|c| c.is_uppercase())
        && !place[..place.len() - 1].contains(['.', '"', '“'])
        && after
            .trim_start()
            .strip_prefix(')')
            .is_some_and(|rest| rest.trim_start().starts_with(['-', '–', '—']))
}

fn canonical_name<'a>(text: &str, aliases: &'a [Alias]) -> Option<&'a str> {
    aliases.iter().find(|a| a.text.eq_ignore_ascii_case(text)).map(|a| a.canonical.as_str())
}

/// "has not been edited by PostX News" → "PostX News".
fn syndicators(article: &CleanedArticle) -> Vec<String> {
    // The name is a run of capitalised words, of which the first five are taken here: a
    // counted repetition of Unicode classes took the regex crate 2 ms to compile, a fifth of
    // what a five-seed build spends on its outlets.
    static PATTERN: OnceLock<Option<Regex>> = OnceLock::new();
    let pattern = || {
        PATTERN
            .get_or_init(|| {
                Regex::new(r"(?:edited by|syndicated by|distributed by|republished by)\s+(?:the\s+)?(\p{Lu}[\p{L}\p{N}&.'-]*(?:\s+\p{Lu}[\p{L}\p{N}&.'-]*)*)").ok()
            })
            .as_ref()
    };
    article
        .removed
        .iter()
        .filter(|r| r.reason == "syndication-note")
        .filter_map(|r| pattern()?.captures(&r.text))
        .filter_map(|c| c.get(1).map(|m| first_words(m.as_str(), SYNDICATOR_WORDS).to_string()))
        .collect()
}

/// Most words of a syndicator's name.
const SYNDICATOR_WORDS: usize = 5;

/// The first `n` words of `text` (words apart by whitespace), with what lies between them.
fn first_words(text: &str, n: usize) -> &str {
    let mut words = 0;
    let mut in_word = false;
    for (at, c) in text.char_indices() {
        if c.is_whitespace() {
            if in_word && words == n {
                return &text[..at];
            }
            in_word = false;
        } else if !in_word {
            in_word = true;
            words += 1;
        }
    }
    text
}

/// `Middle East Eye` → `middle-east-eye`; keeps letters of any script.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-').to_string();
    if slug.is_empty() { "untitled".to_string() } else { slug }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Block, BlockKind, RemovedLine};

    fn article(body: &[&str], removed: &[(&str, &str)]) -> CleanedArticle {
        CleanedArticle {
            seed: "seeds/x.txt".into(),
            headline: None,
            date: None,
            blocks: body.iter().map(|t| Block::new(BlockKind::Paragraph, t.to_string(), 1)).collect(),
            removed: removed
                .iter()
                .map(|(t, r)| RemovedLine { text: (*t).into(), reason: (*r).into(), line: 1 })
                .collect(),
        }
    }

    fn name_of(a: &CleanedArticle) -> (String, String) {
        let attribution = identify(std::slice::from_ref(a), &Content::default());
        let outlet = &attribution.outlets[attribution.of_article[0]];
        (outlet.name.clone(), outlet.identified_by.clone())
    }

    #[test]
    fn clues_are_read_once_and_reused_by_key() {
        let a = article(&["BEIRUT (Reuters) - Strikes hit the city overnight."], &[]);
        let digest = [3u8; 16];
        let slice = std::slice::from_ref(&a);
        let (first, clues) =
            identify_reusing(slice, &Content::default(), Some(&[digest]), &KnownClues::new());
        assert_eq!(first.outlets[0].name, "Reuters");
        assert_eq!(clues.len(), 1);
        // What is known under the article's key is used, not read again: a stand-in proves it.
        let key = *clues.keys().next().unwrap();
        let stand_in: KnownClues =
            [(key, (Some(("Daily Planet".to_string(), "dateline".to_string())), vec![]))].into();
        let (again, _) = identify_reusing(slice, &Content::default(), Some(&[digest]), &stand_in);
        assert_eq!(again.outlets[0].name, "Daily Planet");
        // Another article (digest), or no digest at all, is read afresh.
        let (other, _) = identify_reusing(slice, &Content::default(), Some(&[[4u8; 16]]), &stand_in);
        assert_eq!(other.outlets[0].name, "Reuters");
        let (none, learned) = identify_reusing(slice, &Content::default(), None, &stand_in);
        assert_eq!((none.outlets[0].name.as_str(), learned.len()), ("Reuters", 0));
    }

    #[test]
    fn known_outlets_parse() {
        assert!(known_outlets().len() > 20);
    }

    #[test]
    fn source_line_wins_over_interview() {
        let a =
            article(&["The rebels advanced, he told Reuters."], &[("Source: Daily Planet", "source-line")]);
        assert_eq!(name_of(&a), ("Daily Planet".into(), "source-line".into()));
    }

    #[test]
    fn correspondent_beats_citation() {
        let a = article(
            &[
                "Sky News's Jane Doe said the road was cut.",
                "Flights were cancelled, according to the BBC.",
                "Officials cited by the BBC said so.",
            ],
            &[],
        );
        assert_eq!(name_of(&a), ("Sky News".into(), "correspondent".into()));
    }

    #[test]
    fn promo_alias_maps_to_the_full_name() {
        let a = article(
            &["An official told AFP it was calm."],
            &[("Read other MEE newsletters", "newsletter-promo")],
        );
        assert_eq!(name_of(&a).0, "Middle East Eye");
    }

    #[test]
    fn no_clue_is_unidentified_and_syndicator_recorded() {
        let a = article(
            &["Nothing names the outlet here."],
            &[(
                "(This story has not been edited by Wire Feed Co and is published from a syndicated feed.)",
                "syndication-note",
            )],
        );
        let attribution = identify(std::slice::from_ref(&a), &Content::default());
        let outlet = &attribution.outlets[0];
        assert_eq!(outlet.slug, UNIDENTIFIED_SLUG);
        assert!(outlet.syndicated_by.contains("Wire Feed Co"), "{:?}", outlet.syndicated_by);
    }

    #[test]
    fn a_syndicator_is_named_by_its_first_five_capitalised_words() {
        let note = |text: &str| article(&["Nothing names the outlet here."], &[(text, "syndication-note")]);
        let long = note("It was syndicated by the Big Wire Feed News Service Of The Gulf\u{a0}Region today.");
        assert_eq!(syndicators(&long), ["Big Wire Feed News Service"]);
        let short = note("This story was distributed by   Wire\tFeed Co.");
        assert_eq!(syndicators(&short), ["Wire\tFeed Co."]);
        assert!(syndicators(&note("It was edited by staff.")).is_empty());
        assert_eq!(first_words("  One two  three", 2), "  One two");
        assert_eq!(first_words("One", 5), "One");
    }

    #[test]
    fn wire_dateline_and_copyright_name_the_outlet() {
        let a = article(
            &[
                "KHARTOUM (Reuters) - Fighting spread to the east of the city on Monday, residents said.",
                "Residents told the BBC that shops had closed.",
            ],
            &[],
        );
        assert_eq!(name_of(&a), ("Reuters".into(), "dateline".into()));
        let b = article(
            &["The dam held, engineers told the BBC."],
            &[("© 2025 Sky News. All rights reserved.", "copyright")],
        );
        assert_eq!(name_of(&b).0, "Sky News");
        // A bracketed outlet inside a sentence is no dateline.
        let c = article(&["The minister (Reuters reported) would resign, the paper said."], &[]);
        assert_eq!(name_of(&c).1, "unidentified");
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Middle East Eye"), "middle-east-eye");
        assert_eq!(slugify("Al-Hurra!"), "al-hurra");
        assert_eq!(slugify("Süddeutsche Zeitung"), "süddeutsche-zeitung");
        assert_eq!(slugify("???"), "untitled");
    }
}
