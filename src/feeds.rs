//! Files for the web around the site: an Atom feed and a JSON Feed of the briefing's articles
//! (site-wide and per topic), `sitemap.xml` and `robots.txt`. All need absolute URLs, so they
//! are written only when `base_url` is set in `brief.toml`.

use std::io::Write;

use serde_json::json;

use crate::chunks::{ChunkWriter, chunk_key};
use crate::fingerprint::{Fingerprinter, to_hex};
use crate::markdown::escape_html;
use crate::model::{ArticleEntry, BlockKind, Briefing, SourceEntry};
use crate::render::OutputFile;

/// One feed entry: an article, with the paragraphs that belong in this feed.
struct Entry<'a> {
    source: &'a SourceEntry,
    article: &'a ArticleEntry,
    title: String,
    text: String,
    anchor: String,
}

/// `base` with exactly one trailing slash.
pub fn normalise_base(base: &str) -> String {
    format!("{}/", base.trim_end_matches('/'))
}

pub fn files(briefing: &Briefing, base_url: &str, pages: &[String]) -> Vec<OutputFile> {
    let base = normalise_base(base_url);
    let fallback_date = briefing.date.clone().unwrap_or_else(|| "1970-01-01".to_string());
    let mut files = Vec::new();

    files.extend(feed_pair(briefing, &base, "", &briefing.title, None, &fallback_date));
    for topic in briefing.topics.iter().filter(|t| t.configured) {
        let title = format!("{}: {}", briefing.title, topic.title);
        files.extend(feed_pair(briefing, &base, &topic.url, &title, Some(&topic.slug), &fallback_date));
    }

    let mut sitemap = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for page in pages {
        let loc = page.strip_suffix("index.html").unwrap_or(page);
        sitemap.push_str(&format!(
            "  <url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
            escape_html(&format!("{base}{loc}")),
            fallback_date
        ));
    }
    sitemap.push_str("</urlset>\n");
    files.push(OutputFile { path: "sitemap.xml".into(), bytes: sitemap.into_bytes().into() });
    files.push(OutputFile {
        path: "robots.txt".into(),
        bytes: format!("User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n").into_bytes().into(),
    });
    files
}

/// `atom.xml` and `feed.json` in the folder `dir` (`""` for the site, `topics/x/` for a topic).
fn feed_pair(
    briefing: &Briefing,
    base: &str,
    dir: &str,
    title: &str,
    topic: Option<&str>,
    fallback_date: &str,
) -> Vec<OutputFile> {
    let entries = entries(briefing, topic);
    let updated =
        entries.iter().filter_map(|e| e.article.date.as_deref()).max().unwrap_or(fallback_date).to_string();
    let home = format!("{base}{dir}");

    let mut atom = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n  <title>{}</title>\n  <link href=\"{}\"/>\n  <link rel=\"self\" href=\"{}atom.xml\"/>\n  <id>{}</id>\n  <updated>{}T00:00:00Z</updated>\n  <generator>brief</generator>\n",
        escape_html(title),
        escape_html(&home),
        escape_html(&home),
        escape_html(&home),
        updated
    );
    let mut items = Vec::new();
    for entry in &entries {
        let url = format!("{base}{}index.html#{}", entry.article.url, entry.anchor);
        let date = entry.article.date.as_deref().unwrap_or(fallback_date);
        atom.push_str(&format!(
            "  <entry>\n    <title>{}</title>\n    <link href=\"{}\"/>\n    <id>{}</id>\n    <updated>{}T00:00:00Z</updated>\n    <author><name>{}</name></author>\n    <summary>{}</summary>\n  </entry>\n",
            escape_html(&entry.title),
            escape_html(&url),
            escape_html(&url),
            date,
            escape_html(&entry.source.name),
            escape_html(&entry.text)
        ));
        items.push(json!({
            "id": url,
            "url": url,
            "title": entry.title,
            "content_text": entry.text,
            "date_published": format!("{date}T00:00:00Z"),
            "authors": [{"name": entry.source.name}],
        }));
    }
    atom.push_str("</feed>\n");
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": home,
        "feed_url": format!("{home}feed.json"),
        "items": items,
    });
    vec![
        OutputFile { path: format!("{dir}atom.xml"), bytes: atom.into_bytes().into() },
        OutputFile {
            path: format!("{dir}feed.json"),
            bytes: serde_json::to_vec_pretty(&feed).unwrap_or_default().into(),
        },
    ]
}

/// Articles newest first; for a topic feed only those with paragraphs on it.
fn entries<'a>(briefing: &'a Briefing, topic: Option<&str>) -> Vec<Entry<'a>> {
    let mut entries: Vec<Entry> = Vec::new();
    for source in &briefing.sources {
        for article in &source.articles {
            let paragraphs: Vec<_> = article
                .paragraphs
                .iter()
                .filter(|p| p.kind == BlockKind::Paragraph)
                .filter(|p| topic.is_none() || p.topic.as_deref() == topic)
                .collect();
            let Some(first) = paragraphs.first() else {
                continue;
            };
            let title = article.headline.clone().unwrap_or_else(|| {
                let words: Vec<&str> = first.text.split_whitespace().take(12).collect();
                format!("{}: {}…", source.name, words.join(" "))
            });
            let text = paragraphs.iter().take(3).map(|p| &*p.text).collect::<Vec<_>>().join("\n\n");
            entries.push(Entry { source, article, title, text, anchor: first.id.to_string() });
        }
    }
    entries.sort_by(|a, b| b.article.date.cmp(&a.article.date).then(a.article.seed.cmp(&b.article.seed)));
    entries
}

/// A part of the search index: some consecutive articles of one outlet, in a script of its
/// own, so that a changed article rewrites its part only.
pub struct SearchPart<'a> {
    pub path: String,
    pub source: &'a SourceEntry,
    pub articles: &'a [ArticleEntry],
}

/// About how many articles a part of the search index holds.
const ARTICLES_PER_PART: u16 = 256;

/// The parts of the search index, in the briefing's order. Where a part ends is decided by
/// the articles themselves (a hash of an article's seed path begins a new part about once in
/// `ARTICLES_PER_PART`), not by counting: an article added or removed changes the part it is
/// in, and the parts after it stay as they were. A part is named after its first article.
pub fn search_index_parts(briefing: &Briefing) -> Vec<SearchPart<'_>> {
    let mut parts = Vec::new();
    for source in &briefing.sources {
        let mut names = std::collections::HashSet::new();
        let mut start = 0;
        let mut name = source.slug.clone();
        for (i, article) in source.articles.iter().enumerate() {
            // Not a chunk key, which covers the binary: where parts end is the same whichever
            // build of brief made them.
            let mut hash = Fingerprinter::default();
            hash.str("search index part");
            hash.str(&article.seed);
            let key = hash.finish().0;
            if i > 0 && u16::from_le_bytes([key[0], key[1]]) % ARTICLES_PER_PART == 0 {
                let next = unique(format!("{}-{}", source.slug, to_hex(&key[..8])), &mut names);
                let done = std::mem::replace(&mut name, next);
                parts.push(SearchPart {
                    path: format!("search/{done}.js"),
                    source,
                    articles: &source.articles[start..i],
                });
                start = i;
            }
        }
        parts.push(SearchPart {
            path: format!("search/{name}.js"),
            source,
            articles: &source.articles[start..],
        });
    }
    parts
}

/// `name`, or with a number after it if `taken` has it already.
fn unique(name: String, taken: &mut std::collections::HashSet<String>) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name}-{n}");
        n += 1;
    }
    candidate
}

/// A part of the client-side search index (`search_index_parts`): its paragraphs with their topic and
/// link, as a script that adds them to a global (a `fetch` of JSON does not work from
/// `file://`). Each article's paragraphs are a chunk (`chunks`) under a key made from the
/// article's hash.
pub fn write_search_index(briefing: &Briefing, part: &SearchPart, w: &mut ChunkWriter) -> anyhow::Result<()> {
    let titles: std::collections::BTreeMap<&str, &str> =
        briefing.topics.iter().map(|t| (t.slug.as_str(), t.title.as_str())).collect();
    let titles_key = chunk_key("topic titles", |h| {
        for (slug, title) in &titles {
            h.str(slug);
            h.str(title);
        }
    });
    w.write_all(b"(window.BRIEF_SEARCH_PARTS = window.BRIEF_SEARCH_PARTS || []).push({\"outlet\":")?;
    serde_json::to_writer(&mut NoLessThan(w), &part.source.name)?;
    w.write_all(b",\"docs\":[")?;
    let mut first = true;
    for article in part.articles {
        if !article.paragraphs.iter().any(|p| p.kind == BlockKind::Paragraph) {
            continue;
        }
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        let key = chunk_key("search index article", |h| {
            h.bytes(&article.hash);
            h.bytes(&titles_key);
        });
        w.chunk(key, |out| {
            // `</script>` cannot end anything in an external script, but keep `<` out anyway.
            let mut out = NoLessThan(out);
            for (i, p) in article.paragraphs.iter().filter(|p| p.kind == BlockKind::Paragraph).enumerate() {
                out.write_all(if i == 0 { b"[" } else { b",[" })?;
                serde_json::to_writer(&mut out, &p.text)?;
                out.write_all(b",")?;
                let topic = p.topic.as_deref().and_then(|t| titles.get(t)).copied().unwrap_or("Other");
                serde_json::to_writer(&mut out, topic)?;
                out.write_all(b",")?;
                serde_json::to_writer(&mut out, &format!("{}index.html#{}", article.url, p.id))?;
                out.write_all(b"]")?;
            }
            Ok(())
        })?;
    }
    w.write_all(b"]});\n")?;
    Ok(())
}

/// Writes `<` as the JSON escape `\u003c`; only valid where every `<` is inside a string.
struct NoLessThan<'a>(&'a mut dyn Write);

impl Write for NoLessThan<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = memchr::memchr(b'<', rest) {
            self.0.write_all(&rest[..at])?;
            self.0.write_all(b"\\u003c")?;
            rest = &rest[at + 1..];
        }
        self.0.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn briefing_of(seeds: &[String]) -> Briefing {
        let mut source = crate::assemble::test_source("afp", "gaza", Some("2024-11-30"), &["One."]);
        let article = source.articles.remove(0);
        source.articles =
            seeds.iter().map(|seed| ArticleEntry { seed: seed.clone(), ..article.clone() }).collect();
        Briefing {
            title: String::new(),
            date: None,
            description: None,
            lead_html: None,
            generated: String::new(),
            topics: Vec::new(),
            sources: vec![source],
            figures: Vec::new(),
            timeline: Default::default(),
            quotes: Vec::new(),
            links: Default::default(),
            figure_runs: Vec::new(),
            timeline_keys: Vec::new(),
        }
    }

    /// Each part as (path, its articles' seeds).
    fn parts_of(briefing: &Briefing) -> Vec<(String, Vec<String>)> {
        search_index_parts(briefing)
            .iter()
            .map(|p| (p.path.clone(), p.articles.iter().map(|a| a.seed.clone()).collect()))
            .collect()
    }

    #[test]
    fn search_index_parts_split_where_the_articles_say_so_and_an_edit_touches_one_part() {
        let seeds: Vec<String> = (0..3000).map(|n| format!("seeds/{n:05}.txt")).collect();
        let parts = parts_of(&briefing_of(&seeds));
        // Every article once, in order, in parts of a few hundred.
        let all: Vec<String> = parts.iter().flat_map(|(_, seeds)| seeds.clone()).collect();
        assert_eq!(all, seeds);
        assert!((4..=40).contains(&parts.len()), "{} parts", parts.len());
        assert_eq!(parts[0].0, "search/afp.js");
        let paths: std::collections::HashSet<&String> = parts.iter().map(|(path, _)| path).collect();
        assert_eq!(paths.len(), parts.len());

        // An article removed from the middle changes the part it was in, and no other.
        let mut fewer = seeds.clone();
        fewer.remove(1500);
        let after = parts_of(&briefing_of(&fewer));
        let changed = parts.iter().filter(|part| !after.contains(part)).count();
        assert_eq!(changed, 1);
        assert_eq!(after.len(), parts.len());
    }

    #[test]
    fn the_search_index_writer_keeps_less_than_out() {
        let mut out = Vec::new();
        let mut writer = NoLessThan(&mut out);
        writer.write_all(b"[\"a </script> b\",").unwrap();
        writer.write_all(b"\"<<\"]").unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, r#"["a \u003c/script> b","\u003c\u003c"]"#);
        let parsed: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, ["a </script> b", "<<"]);
    }
}
