//! `brief check`: build the site in memory and verify it the way a reader would find it.
//!
//! Checks, and reports every problem at once as `file:line: message` (the line where known):
//! - `brief.toml` and every file in `content/` parse (front matter is valid TOML with known keys);
//! - every template parses and every page renders;
//! - every internal link (`href`, `src`) in the generated HTML points at a file of the site,
//!   and every `#anchor` at an `id` on that page; a broken link written in `content/` is
//!   reported at the content file and line that holds it;
//! - every configured topic has at least one paragraph;
//! - every outlet has its page, every `content/sources/*.md` names an outlet that has articles,
//!   and every `seeds = [...]` entry names an existing seed.
//!
//! Not for: external links (no network), or judging the prose.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use anyhow::Result;
use html5gum::{Token, Tokenizer};
use serde::Serialize;
use walkdir::WalkDir;

use crate::config::Config;
use crate::content::{IndexMeta, SourceMeta, TopicMeta, split_front_matter};
use crate::error::located;
use crate::render::Renderer;
use crate::site::{BuildOptions, Site};

/// One thing wrong with the project, and where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Problem {
    /// Project-relative path, when known.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}: {}", self.message),
            (Some(file), None) => write!(f, "{file}: {}", self.message),
            _ => write!(f, "{}", self.message),
        }
    }
}

impl Problem {
    fn at(file: impl Into<String>, line: Option<usize>, message: impl Into<String>) -> Problem {
        Problem { file: Some(file.into()), line, message: message.into() }
    }
}

/// What `check` found.
#[derive(Debug, Default)]
pub struct Report {
    pub problems: Vec<Problem>,
    pub warnings: Vec<String>,
    /// HTML pages checked, internal links followed, `#anchor`s resolved.
    pub pages: usize,
    pub links: usize,
    pub anchors: usize,
    /// The site was built, so links were checked (not when config or content did not parse).
    pub built: bool,
}

/// Splits a build error into file, line and message where it names them: `path:line: message`
/// (config, front matter) or Tera's `'name.html'` … `--> line:column` (templates).
pub fn locate(err: &anyhow::Error, root: &Path) -> Problem {
    let text = format!("{err:#}");
    let root_prefix = format!("{}/", root.display());
    for line in text.lines() {
        let line = line.trim_start();
        let mut parts = line.splitn(3, ':');
        if let (Some(file), Some(number), Some(rest)) = (parts.next(), parts.next(), parts.next())
            && !file.is_empty()
            && !file.contains(' ')
            && let Ok(number) = number.parse::<usize>()
        {
            let file = file.strip_prefix(&root_prefix).unwrap_or(file);
            let file = file.strip_prefix("./").unwrap_or(file);
            return Problem::at(file, Some(number), rest.trim());
        }
    }
    // Tera: "Failed to parse 'index.html'" … "--> 3:5"
    let template = text.split('\'').nth(1).filter(|name| name.ends_with(".html") || name.ends_with(".xml"));
    let line = text
        .split("--> ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok());
    match template {
        Some(name) => {
            let file = if root.join("templates").join(name).is_file() {
                format!("templates/{name}")
            } else {
                format!("template {name}")
            };
            Problem { file: Some(file), line, message: text }
        }
        None => Problem { file: None, line: None, message: text },
    }
}

/// A content file as read for checking: its project-relative path, text, and parsed kind.
struct ContentFile {
    rel: String,
    text: String,
    source: Option<(String, SourceMeta)>,
}

pub fn check(root: &Path) -> Result<Report> {
    let mut report = Report::default();
    let config = match Config::load(root) {
        Ok(config) => Some(config),
        Err(e) => {
            report.problems.push(locate(&e, root));
            None
        }
    };
    let content = check_content_files(root, &mut report.problems);
    if let Some(config) = &config
        && let Err(e) = Renderer::load(root, config)
    {
        report.problems.push(locate(&e, root));
    }
    if !report.problems.is_empty() {
        return Ok(report);
    }
    let config = config.unwrap_or_default();
    let site = match Site::load(root, &BuildOptions::from_env()) {
        Ok(site) => site,
        Err(e) => {
            report.problems.push(locate(&e, root));
            return Ok(report);
        }
    };
    report.built = true;
    for warning in &site.warnings {
        report.warnings.push(format!("{}: {}", warning.file, warning.message));
    }
    check_links(&site, &content, &mut report);
    check_topics(root, &site, &config, &content, &mut report.problems);
    check_sources(root, &site, &content, &mut report.problems);
    report.problems.sort();
    report.problems.dedup();
    Ok(report)
}

/// Parses every content file on its own, so all bad files are reported, not just the first.
fn check_content_files(root: &Path, problems: &mut Vec<Problem>) -> Vec<ContentFile> {
    let dir = root.join("content");
    let mut files = Vec::new();
    for entry in WalkDir::new(&dir).sort_by_file_name().follow_links(false).into_iter().flatten() {
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/");
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(_) => {
                problems.push(Problem::at(&rel, None, "cannot read; save it as UTF-8 text"));
                continue;
            }
        };
        let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
        let parent = path.parent().and_then(|p| p.file_name()).map(|p| p.to_string_lossy().to_string());
        let front = match split_front_matter(&text) {
            Ok((front, _)) => front.unwrap_or(""),
            Err(msg) => {
                problems.push(Problem::at(&rel, Some(1), msg));
                files.push(ContentFile { rel, text, source: None });
                continue;
            }
        };
        let rel_path = Path::new(&rel);
        let mut source = None;
        let parsed = match (parent.as_deref(), stem.as_str()) {
            (Some("content"), "_index") => toml::from_str::<IndexMeta>(front).map(|_| ()),
            (Some("topics"), _) => toml::from_str::<TopicMeta>(front).map(|_| ()),
            (Some("sources"), _) => toml::from_str::<SourceMeta>(front).map(|meta| {
                source = Some((stem.clone(), meta));
            }),
            _ => Ok(()),
        };
        if let Err(e) = parsed {
            problems.push(locate(&located(rel_path, front, 1, e), root));
        }
        files.push(ContentFile { rel, text, source });
    }
    files
}

/// Links and ids of one generated page.
#[derive(Default)]
struct PageLinks {
    ids: BTreeSet<String>,
    links: Vec<String>,
}

fn scan_html(html: &[u8]) -> PageLinks {
    let mut page = PageLinks::default();
    for token in Tokenizer::new(html).flatten() {
        let Token::StartTag(tag) = token else { continue };
        let name = String::from_utf8_lossy(&tag.name).to_ascii_lowercase();
        for (attr, value) in &tag.attributes {
            let attr = String::from_utf8_lossy(attr).to_ascii_lowercase();
            let value = String::from_utf8_lossy(&value.value).to_string();
            match (name.as_str(), attr.as_str()) {
                (_, "id") | ("a", "name") => {
                    page.ids.insert(value);
                }
                ("a" | "area" | "link", "href")
                | ("img" | "script" | "source" | "iframe" | "audio" | "video" | "track" | "embed", "src") => {
                    page.links.push(value)
                }
                _ => {}
            }
        }
    }
    page
}

/// `topics/a/index.html` + `../b/index.html#x` → (`topics/b/index.html`, `x`); `None` for
/// links that leave the site (external, `mailto:`, …).
enum Target {
    External,
    Absolute,
    Outside,
    Internal { path: String, fragment: Option<String> },
}

fn resolve(page: &str, link: &str) -> Target {
    let link = link.trim();
    let has_scheme = link.split_once(':').is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if has_scheme || link.starts_with("//") {
        return Target::External;
    }
    if link.starts_with('/') {
        return Target::Absolute;
    }
    let (rest, fragment) = match link.split_once('#') {
        Some((rest, fragment)) => (rest, Some(percent_decode(fragment))),
        None => (link, None),
    };
    let rest = rest.split('?').next().unwrap_or("");
    let rest = percent_decode(rest);
    if rest.is_empty() {
        return Target::Internal { path: page.to_string(), fragment };
    }
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    for part in rest.split('/') {
        match part {
            "." | "" => {}
            ".." => {
                if parts.pop().is_none() {
                    return Target::Outside;
                }
            }
            other => parts.push(other),
        }
    }
    let mut path = parts.join("/");
    if rest.ends_with('/') {
        path = if path.is_empty() { "index.html".into() } else { format!("{path}/index.html") };
    }
    Target::Internal { path, fragment }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(hex) = std::str::from_utf8(&bytes[i + 1..i + 3])
            && let Ok(byte) = u8::from_str_radix(hex, 16)
        {
            out.push(byte);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Where a link was written: the content file and line holding it, if any.
fn written_in(content: &[ContentFile], link: &str) -> Option<(String, usize)> {
    content.iter().find_map(|file| {
        file.text.lines().position(|line| line.contains(link)).map(|index| (file.rel.clone(), index + 1))
    })
}

fn check_links(site: &Site, content: &[ContentFile], report: &mut Report) {
    let files: BTreeSet<&str> = site.files.iter().map(|f| f.path.as_str()).collect();
    let pages: BTreeMap<&str, PageLinks> = site
        .files
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .map(|f| (f.path.as_str(), scan_html(&f.bytes.contiguous())))
        .collect();
    report.pages = pages.len();
    // (file, line, message) → pages it was seen on
    type Where = (Option<String>, Option<usize>, String);
    let mut broken: BTreeMap<Where, Vec<&str>> = BTreeMap::new();
    let mut directory_links: BTreeSet<String> = BTreeSet::new();
    for (page, links) in &pages {
        for link in &links.links {
            let problem = match resolve(page, link) {
                Target::External => continue,
                Target::Absolute => Some(format!(
                    "link `{link}` starts with `/`: it breaks when the site is under a sub-path or opened from file://; write it relative"
                )),
                Target::Outside => Some(format!("link `{link}` points outside the site; fix the link")),
                Target::Internal { path, fragment } => {
                    report.links += 1;
                    let exists = files.contains(path.as_str());
                    let as_dir = format!("{path}/index.html");
                    if !exists && files.contains(as_dir.as_str()) {
                        directory_links.insert(format!(
                            "{page}: link `{link}` works on a web server but not from file://; link to `{link}/index.html`"
                        ));
                        continue;
                    }
                    if !exists {
                        Some(format!(
                            "link `{link}` does not resolve: the site has no `{path}`; fix the link or add the page"
                        ))
                    } else if let Some(fragment) = fragment.filter(|f| !f.is_empty() && f != "top") {
                        report.anchors += 1;
                        match pages.get(path.as_str()) {
                            Some(target) if !target.ids.contains(&fragment) && link.starts_with('#') => {
                                Some(format!(
                                    "link `{link}`: the page has no element with id=\"{fragment}\"; fix the anchor"
                                ))
                            }
                            Some(target) if !target.ids.contains(&fragment) => Some(format!(
                                "link `{link}` points at `#{fragment}`, but `{path}` has no element with id=\"{fragment}\"; fix the anchor"
                            )),
                            _ => None,
                        }
                    } else {
                        None
                    }
                }
            };
            if let Some(message) = problem {
                let key = match written_in(content, link) {
                    Some((file, line)) => (Some(file), Some(line), message),
                    None => (
                        Some(format!("{page} (generated)")),
                        None,
                        format!("{message}; it comes from a template or seed"),
                    ),
                };
                broken.entry(key).or_default().push(page);
            }
        }
    }
    for ((file, line, message), on) in broken {
        let message = if on.len() == 1 {
            format!("{message} (on {})", on[0])
        } else {
            format!("{message} (on {} pages, e.g. {})", on.len(), on[0])
        };
        report.problems.push(Problem { file, line, message });
    }
    report.warnings.extend(directory_links);
}

/// The line of `brief.toml` that declares `slug = "…"`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.lines().position(|line| line.contains(needle)).map(|i| i + 1)
}

fn check_topics(
    root: &Path,
    site: &Site,
    config: &Config,
    content: &[ContentFile],
    problems: &mut Vec<Problem>,
) {
    let config_text = std::fs::read_to_string(root.join("brief.toml")).unwrap_or_default();
    for topic in site.briefing.topics.iter().filter(|t| t.configured && t.paragraph_count == 0) {
        let slug = &topic.slug;
        let message = format!(
            "topic `{slug}` has no paragraphs: none of its keywords appear in the seeds; add keywords that do, or remove the topic"
        );
        let in_config = config.topics.iter().any(|t| &t.slug == slug);
        let content_file = format!("content/topics/{slug}.md");
        let problem = if in_config {
            let line = line_of(&config_text, &format!("\"{slug}\""));
            Problem::at("brief.toml", line, message)
        } else if content.iter().any(|f| f.rel == content_file) {
            Problem::at(content_file, Some(1), message)
        } else {
            Problem { file: None, line: None, message }
        };
        problems.push(problem);
    }
}

fn check_sources(root: &Path, site: &Site, content: &[ContentFile], problems: &mut Vec<Problem>) {
    let files: BTreeSet<&str> = site.files.iter().map(|f| f.path.as_str()).collect();
    for source in &site.briefing.sources {
        let page = format!("sources/{}/index.html", source.slug);
        if !files.contains(page.as_str()) {
            problems.push(Problem {
                file: None,
                line: None,
                message: format!(
                    "outlet `{}` has no page `{page}`; check the theme's source.html",
                    source.name
                ),
            });
        }
    }
    let outlets: BTreeSet<&str> = site.briefing.sources.iter().map(|s| s.slug.as_str()).collect();
    for file in content {
        let Some((slug, meta)) = &file.source else { continue };
        for seed in &meta.seeds {
            let path =
                if seed.starts_with("seeds/") { root.join(seed) } else { root.join("seeds").join(seed) };
            if !path.is_file() {
                let shown = if seed.starts_with("seeds/") { seed.clone() } else { format!("seeds/{seed}") };
                problems.push(Problem::at(
                    &file.rel,
                    line_of(&file.text, &format!("\"{seed}\"")),
                    format!("`seeds` lists `{seed}`, but there is no {shown}; fix the file name or remove the entry"),
                ));
            }
        }
        if !outlets.contains(slug.as_str()) && meta.seeds.is_empty() {
            problems.push(Problem::at(
                &file.rel,
                Some(1),
                "no article is attributed to this outlet, so it gets no page; list its seeds in `seeds = [\"…\"]`",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn internal(page: &str, link: &str) -> Option<(String, Option<String>)> {
        match resolve(page, link) {
            Target::Internal { path, fragment } => Some((path, fragment)),
            _ => None,
        }
    }

    #[test]
    fn resolves_relative_links() {
        assert_eq!(
            internal("topics/a/index.html", "../../sources/b/index.html#p-1"),
            Some(("sources/b/index.html".into(), Some("p-1".into())))
        );
        assert_eq!(internal("index.html", "topics/a/"), Some(("topics/a/index.html".into(), None)));
        assert_eq!(internal("index.html", "#x"), Some(("index.html".into(), Some("x".into()))));
        assert_eq!(internal("index.html", "a%20b.html?x=1"), Some(("a b.html".into(), None)));
        assert!(matches!(resolve("index.html", "../x.html"), Target::Outside));
        assert!(matches!(resolve("index.html", "https://example.com/"), Target::External));
        assert!(matches!(resolve("index.html", "mailto:a@b.c"), Target::External));
        assert!(matches!(resolve("index.html", "/x.html"), Target::Absolute));
    }

    #[test]
    fn scans_ids_and_links() {
        let page = scan_html(b"<a href=\"x.html#a&amp;b\" id=top>x</a><img src='i.png'><p id=\"p-1\">");
        assert_eq!(page.links, vec!["x.html#a&b", "i.png"]);
        assert!(page.ids.contains("p-1") && page.ids.contains("top"));
    }

    #[test]
    fn locates_file_and_line() {
        let err = anyhow::anyhow!("/tmp/site/content/topics/x.md:3: expected `=`");
        let problem = locate(&err, Path::new("/tmp/site"));
        assert_eq!(problem.file.as_deref(), Some("content/topics/x.md"));
        assert_eq!(problem.line, Some(3));
        assert_eq!(problem.message, "expected `=`");
    }
}
