//! Render: the `Briefing` through Tera templates into the site's files, each put into a `Sink`
//! (the build's staging folder, or memory) as soon as it is rendered.
//!
//! Templates come from the theme (`themes/<name>/templates/`, or the default theme built into
//! brief when the project has no copy) and are overridden file by file by the site's
//! `templates/`. Autoescaping is on for every `.html` template: seed text is untrusted.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context as _, Result, bail};
use rayon::prelude::*;
use regex::Regex;
use serde::Serialize;
use tera::{Context, Tera};
use walkdir::WalkDir;

use crate::assemble::{Links, page_url, views};
use crate::config::Config;
use crate::fingerprint::{Fingerprint, Fingerprinter, Hashed};
use crate::markdown::strip_tags;
use crate::model::{ArticleEntry, BlockKind, Briefing, Paragraph, SourceEntry, TopicEntry};
use crate::write::{MemorySink, Sink, put_bytes};
use crate::{briefing_json, feeds, theme};

/// One file of the built site: its path relative to the output, with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    /// Shared, not owned: a file taken over from the previous build (`brief serve`) is the
    /// same bytes, not a copy (a data file is a hundred megabytes at 10,000 articles).
    pub bytes: crate::file_bytes::FileBytes,
}

pub struct Renderer {
    tera: Tera,
    /// Where each template came from, for errors (`templates/index.html`).
    origins: BTreeMap<String, String>,
    /// The templates and the brief binary, the part of every page's fingerprint that is not
    /// its context.
    base_fingerprint: Fingerprint,
}

impl Renderer {
    /// Loads the theme's templates, then the site's overrides.
    pub fn load(root: &Path, config: &Config) -> Result<Renderer> {
        let mut templates: BTreeMap<String, String> = BTreeMap::new();
        let mut origins: BTreeMap<String, String> = BTreeMap::new();
        let shown = |dir: &Path| dir.strip_prefix(root).unwrap_or(dir).display().to_string();
        match theme_dir(root, config)? {
            Some(dir) => {
                read_tree(&dir.join("templates"), &mut templates, true)?;
                for name in templates.keys() {
                    origins.insert(name.clone(), format!("{}/{name}", shown(&dir.join("templates"))));
                }
            }
            None => {
                for (name, text) in theme::TEMPLATES {
                    templates.insert(name.to_string(), text.to_string());
                    origins.insert(name.to_string(), format!("(built-in default theme) {name}"));
                }
            }
        }
        let mut overrides = BTreeMap::new();
        read_tree(&root.join("templates"), &mut overrides, true)?;
        for (name, text) in overrides {
            origins.insert(name.clone(), format!("templates/{name}"));
            templates.insert(name, text);
        }
        let mut base = Fingerprinter::default();
        base.str(&format!("{:016x}", crate::cache::binary_fingerprint()));
        for (name, text) in &templates {
            base.str(name);
            base.str(text);
        }
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        // Tera's default also turns `/` into `&#x2F;`, which is safe but garbles every URL.
        tera.set_escape_fn(crate::markdown::escape_html);
        tera.register_filter("human_date", human_date);
        tera.add_raw_templates(templates.iter().map(|(n, t)| (n.as_str(), t.as_str())))
            .map_err(|e| anyhow::anyhow!("{}", template_error(&e, &origins)))?;
        for required in ["index.html", "topic.html", "source.html"] {
            if !tera.get_template_names().any(|n| n == required) {
                bail!("theme `{}` has no template `{required}`; add it to templates/", config.theme);
            }
        }
        Ok(Renderer { tera, origins, base_fingerprint: base.finish() })
    }

    /// Every page of the site and `briefing.json`.
    pub fn render(
        &self,
        briefing: &Briefing,
        config: &Config,
        needs_syntax_css: bool,
    ) -> Result<Vec<OutputFile>> {
        let sink = MemorySink::default();
        self.render_into(briefing, config, needs_syntax_css, &sink)?;
        Ok(sink.into_files())
    }

    /// Every page of the site, `briefing.json`, the search index and the feeds, each put into
    /// `sink` as soon as it is rendered. Returns how many HTML pages there are.
    pub fn render_into(
        &self,
        briefing: &Briefing,
        config: &Config,
        needs_syntax_css: bool,
        sink: &dyn Sink,
    ) -> Result<usize> {
        let site = SiteView::new(briefing, config, needs_syntax_css);
        let site_counted = SiteView::counted(briefing, config, needs_syntax_css);
        let has_search = self.tera.get_template_names().any(|n| n == "search.html");
        let search_parts = if has_search { feeds::search_index_parts(briefing) } else { Vec::new() };
        // The data files are the largest, and need nothing the pages do: they are written from
        // the start, beside the pages.
        let write_data_files = || -> Result<()> {
            let mut files: Vec<Option<&feeds::SearchPart>> = vec![None];
            files.extend(search_parts.iter().map(Some));
            // The first failure in the files' order, whichever thread met it first.
            let written: Vec<Result<()>> = files
                .into_par_iter()
                .with_max_len(1)
                .map(|part| match part {
                    None => sink.put_chunked("briefing.json", &mut |w| {
                        briefing_json::write(briefing, w).context("cannot serialise briefing.json")
                    }),
                    Some(part) => {
                        sink.put_chunked(&part.path, &mut |w| feeds::write_search_index(briefing, part, w))
                    }
                })
                .collect();
            written.into_iter().collect()
        };
        let render_pages = || -> Result<Vec<String>> {
            let names: BTreeMap<&str, &str> =
                briefing.sources.iter().map(|s| (s.slug.as_str(), s.name.as_str())).collect();
            let links = Links::of(briefing);
            let per_page = config.paginate_by.max(1);
            // Shared by the index and every topic page: built and converted for Tera once.
            let figure_tables = tera::to_value(views::figure_tables(briefing, &links))?;
            // In the fingerprints of the index and every topic's first page: hashed once.
            let figure_tables = Hashed { hash: value_hash(&figure_tables)?, value: &figure_tables };
            let no_figures = tera::to_value(Vec::<()>::new())?;
            // The timelines of the index and of each topic's first page: made and hashed once,
            // not once into a page's fingerprint and again into its values.
            let overview_timeline = PageTimeline::new(briefing, None, &links)?;
            let topic_timelines: Vec<PageTimeline> = briefing
                .topics
                .par_iter()
                .map(|t| PageTimeline::new(briefing, Some(&t.slug), &links))
                .collect::<Result<_>>()?;

            // Pages are independent: each describes its context (`PageContext`) and renders in
            // parallel, and the list keeps this order (index, topics, sources) whatever order they
            // finish in.
            let index = || -> Result<String> {
                self.page("index.html", "index.html", sink, &|context| {
                    self.base_context(context, &site_counted, "", "index", "");
                    // The index lists outlets with their articles' count and dates, not their text.
                    let sources: Vec<SourceCard> = briefing.sources.iter().map(SourceCard::new).collect();
                    context.insert("sources", &sources);
                    context.insert(
                        "topics",
                        &briefing
                            .topics
                            .iter()
                            .map(|t| TopicView::new(t, &names, &links))
                            .collect::<Vec<_>>(),
                    );
                    context.insert("lead_html", &briefing.lead_html);
                    context.insert("figure_tables", &figure_tables);
                    overview_timeline.insert_into(context);
                })
            };
            // The base context of a page in the folder `path` (a topic's or an outlet's).
            let in_folder = |context: &mut PageContext, current: &str, path: &str| {
                self.base_context(context, &site, &root_of(path), current, path)
            };
            let topic_items: Vec<Vec<TopicItem>> =
                briefing.topics.par_iter().map(|t| topic_items(t, &briefing.sources)).collect();
            // The first page of a topic carries its summary, figures, timeline and quotes; every
            // page a share of the paragraphs.
            let topic_page = |topic: &TopicEntry,
                              timeline: &PageTimeline,
                              items: &[TopicItem],
                              pager: Pager|
             -> Result<String> {
                let path = page_url(&topic.url, pager.number);
                self.page("topic.html", &format!("{path}index.html"), sink, &|context| {
                    in_folder(context, &format!("topic:{}", topic.slug), &path);
                    // Later pages carry no summary and no count, which change with any article of
                    // the topic: the unchanged pages of a long topic are then kept as they are.
                    if pager.number == 1 {
                        context.insert("description", &topic_description(topic));
                        context.insert("topic", &TopicView::new(topic, &names, &links));
                    } else {
                        context
                            .insert("description", &format!("{}: what the sources reported.", topic.title));
                        context.insert("topic", &TopicView::new(topic, &names, &links).without_summary());
                    }
                    context.insert("groups", &topic_groups(items));
                    if pager.number == 1 {
                        context.insert("figure_tables", &figure_tables);
                        timeline.insert_into(context);
                        let (speakers, speakers_more) = views::speakers(briefing, &topic.slug, &links);
                        context.insert("speakers", &speakers);
                        context.insert("speakers_more", &speakers_more);
                    } else {
                        context.insert("figure_tables", &no_figures);
                        context.insert("timeline_days", &no_figures);
                        context.insert("timeline_earlier", &0);
                        context.insert("speakers", &no_figures);
                        context.insert("speakers_more", &0);
                    }
                    context.insert("pager", &pager);
                })
            };
            let source_page =
                |source: &SourceEntry, articles: &[ArticleEntry], pager: Pager| -> Result<String> {
                    let path = page_url(&source.url, pager.number);
                    self.page("source.html", &format!("{path}index.html"), sink, &|context| {
                        in_folder(context, &format!("source:{}", source.slug), &path);
                        context.insert(
                            "description",
                            &format!("What {} reported, cleaned of boilerplate.", source.name),
                        );
                        let shown = SourcePage::new(source, articles, &briefing.topics, pager.number == 1);
                        context.insert("source", &shown);
                        context.insert("pager", &pager);
                    })
                };

            enum Job<'a> {
                Index,
                Topic(&'a TopicEntry, &'a PageTimeline, &'a [TopicItem<'a>], Pager),
                Source(&'a SourceEntry, &'a [ArticleEntry], Pager),
            }
            let mut jobs: Vec<Job> = vec![Job::Index];
            for ((topic, items), timeline) in briefing.topics.iter().zip(&topic_items).zip(&topic_timelines) {
                for (pager, chunk) in pages_from_oldest(&topic.url, items, per_page) {
                    jobs.push(Job::Topic(topic, timeline, chunk, pager));
                }
            }
            for source in &briefing.sources {
                for (pager, chunk) in pages_from_oldest(&source.url, &source.articles, per_page) {
                    jobs.push(Job::Source(source, chunk, pager));
                }
            }
            jobs.into_par_iter()
                .with_max_len(1)
                .map(|job| match job {
                    Job::Index => index(),
                    Job::Topic(topic, timeline, items, pager) => topic_page(topic, timeline, items, pager),
                    Job::Source(source, articles, pager) => source_page(source, articles, pager),
                })
                .collect::<Vec<Result<String>>>()
                // The first failure in page order, whichever thread met it first.
                .into_iter()
                .collect::<Result<Vec<String>>>()
        };
        let (data_files, pages) = rayon::join(write_data_files, render_pages);
        data_files?;
        let mut pages = pages?;

        if has_search {
            pages.push(self.page("search.html", "search/index.html", sink, &|context| {
                self.base_context(context, &site_counted, "../", "search", "search/");
                let scripts: Vec<&str> = search_parts.iter().map(|p| p.path.as_str()).collect();
                context.insert("search_index", &scripts);
            })?);
        }
        if let Some(base) = &config.base_url {
            for file in feeds::files(briefing, base, &pages) {
                put_bytes(sink, &file.path, &file.bytes.contiguous())?;
            }
        }
        if needs_syntax_css {
            put_bytes(sink, "static/syntax.css", crate::markdown::syntax_css().as_bytes())?;
        }
        Ok(pages.len())
    }

    /// What every page gets: the site, the path back to the site root, and which page it is.
    /// `path` is the page's folder relative to the site root (`topics/gaza/`), for canonical
    /// links; `description` defaults to the site's.
    fn base_context(
        &self,
        context: &mut PageContext,
        site: &SiteView,
        root: &str,
        current: &str,
        path: &str,
    ) {
        context.insert("site", site);
        context.insert("root", root);
        context.insert("current", current);
        context.insert("page_path", path);
        context.insert("description", &site.description);
    }

    /// Renders `template` into `sink` at `path`, with the context `describe` makes, unless the
    /// sink still has the page made from the same fingerprint (templates, binary, path and
    /// context); returns the path. The context is described twice when the page is rendered:
    /// once into its fingerprint, then into the values the template reads.
    fn page(
        &self,
        template: &str,
        path: &str,
        sink: &dyn Sink,
        describe: &dyn Fn(&mut PageContext),
    ) -> Result<String> {
        let mut fingerprint = Fingerprinter::default();
        fingerprint.bytes(&self.base_fingerprint.0);
        fingerprint.str(template);
        fingerprint.str(path);
        let mut context = PageContext::Fingerprint(Box::new(fingerprint), None);
        describe(&mut context);
        let PageContext::Fingerprint(fingerprint, None) = context else {
            bail!("cannot make the template context of {path}: {}", context.error().unwrap_or_default());
        };
        sink.put_page(path, &fingerprint.finish(), &mut |w| {
            let mut context = PageContext::Values(tera::Map::new(), None);
            describe(&mut context);
            let PageContext::Values(values, None) = context else {
                bail!("cannot make the template context of {path}: {}", context.error().unwrap_or_default());
            };
            let context = Context::from_value(tera::Value::Object(values))?;
            self.tera.render_to(template, &context, w).map_err(|e| {
                anyhow::anyhow!("{} (while rendering {path})", template_error(&e, &self.origins))
            })
        })?;
        Ok(path.to_string())
    }
}

/// A page's template context as it is described: into a fingerprint (each value serialised
/// into the hash, nothing built), or into the values the template reads. Either keeps the
/// first value that could not be serialised.
enum PageContext {
    Fingerprint(Box<Fingerprinter>, Option<String>),
    Values(tera::Map<String, tera::Value>, Option<String>),
}

impl PageContext {
    fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        match self {
            PageContext::Fingerprint(fingerprint, error) => {
                fingerprint.str(key);
                if let Err(e) = value.serialize(crate::fingerprint::Binary(fingerprint)) {
                    error.get_or_insert(format!("`{key}`: {e}"));
                }
            }
            PageContext::Values(values, error) => match tera::to_value(value) {
                Ok(value) => {
                    values.insert(key.to_string(), value);
                }
                Err(e) => {
                    error.get_or_insert(format!("`{key}`: {e}"));
                }
            },
        }
    }

    fn error(&self) -> Option<&str> {
        match self {
            PageContext::Fingerprint(_, error) | PageContext::Values(_, error) => error.as_deref(),
        }
    }
}

/// What the index and an outlet's pages show of the outlet itself.
#[derive(Serialize)]
struct OutletView<'a> {
    slug: &'a str,
    name: &'a str,
    url: &'a str,
    homepage: &'a Option<String>,
    notes_html: &'a Option<String>,
    identified_by: &'a str,
    syndicated_by: &'a [String],
    /// All of the outlet's articles: on the index and the outlet's first page only, so that
    /// an article added to the outlet leaves its later pages as they are (`pages_from_oldest`).
    #[serde(skip_serializing_if = "Option::is_none")]
    article_count: Option<usize>,
}

impl<'a> OutletView<'a> {
    fn new(source: &'a SourceEntry) -> Self {
        OutletView {
            slug: &source.slug,
            name: &source.name,
            url: &source.url,
            homepage: &source.homepage,
            notes_html: &source.notes_html,
            identified_by: &source.identified_by,
            syndicated_by: &source.syndicated_by,
            article_count: Some(source.articles.len()),
        }
    }
}

/// An outlet as the index shows it: no articles, only their count and newest date (the text
/// is on the outlet's pages).
#[derive(Serialize)]
struct SourceCard<'a> {
    #[serde(flatten)]
    outlet: OutletView<'a>,
    /// The newest article's date (articles are listed newest first).
    latest_date: Option<&'a str>,
}

impl<'a> SourceCard<'a> {
    fn new(source: &'a SourceEntry) -> Self {
        SourceCard {
            outlet: OutletView::new(source),
            latest_date: source.articles.first().and_then(|a| a.date.as_deref()),
        }
    }
}

/// A topic page's meta description: the summary's opening, as plain text.
fn topic_description(topic: &TopicEntry) -> String {
    let text = match topic.summary_points.first() {
        Some(point) if !topic.editor_summary => point.text.clone(),
        _ => strip_tags(&topic.summary_html),
    };
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() > 40 { format!("{}…", words[..40].join(" ")) } else { words.join(" ") }
}

/// A seed's headline, else its first words: a reader needs something to tell articles apart.
fn display_title(article: &ArticleEntry) -> String {
    if let Some(headline) = &article.headline {
        return headline.clone();
    }
    let Some(first) = article.paragraphs.iter().find(|p| p.kind == BlockKind::Paragraph) else {
        return "Untitled article".to_string();
    };
    const WORDS: usize = 12;
    let words: Vec<&str> = first.text.split_whitespace().collect();
    if words.len() <= WORDS {
        first.text.to_string()
    } else {
        format!("{}…", words[..WORDS].join(" ").trim_end_matches([',', ';', ':']))
    }
}

/// `2024-11-30` → `30 November 2024`; anything else is left as it is.
fn human_date(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = value.as_str().unwrap_or_default();
    Ok(match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(date) => tera::Value::String(date.format("%-d %B %Y").to_string()),
        Err(_) => value.clone(),
    })
}

/// The theme's folder in the project, or `None` for the built-in default theme.
fn theme_dir(root: &Path, config: &Config) -> Result<Option<PathBuf>> {
    let dir = root.join("themes").join(&config.theme);
    if dir.is_dir() {
        Ok(Some(dir))
    } else if config.theme == "default" {
        Ok(None)
    } else {
        bail!(
            "brief.toml: theme `{}` not found at {}; set `theme = \"default\"` or add the theme",
            config.theme,
            dir.display()
        )
    }
}

/// Theme static files, then the site's `static/` over them, under `static/` in the output.
pub fn static_files(root: &Path, config: &Config) -> Result<Vec<OutputFile>> {
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    match theme_dir(root, config)? {
        Some(dir) => read_binary_tree(&dir.join("static"), &mut files)?,
        None => {
            for (name, bytes) in theme::STATIC {
                files.insert(name.to_string(), bytes.to_vec());
            }
        }
    }
    read_binary_tree(&root.join("static"), &mut files)?;
    Ok(files
        .into_iter()
        .map(|(path, bytes)| OutputFile { path: format!("static/{path}"), bytes: bytes.into() })
        .collect())
}

fn read_tree(dir: &Path, into: &mut BTreeMap<String, String>, html_only: bool) -> Result<()> {
    let mut binary = BTreeMap::new();
    read_binary_tree(dir, &mut binary)?;
    for (name, bytes) in binary {
        if html_only && !(name.ends_with(".html") || name.ends_with(".xml") || name.ends_with(".txt")) {
            continue;
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("{}/{name}: template is not UTF-8", dir.display()))?;
        into.insert(name, text);
    }
    Ok(())
}

fn read_binary_tree(dir: &Path, into: &mut BTreeMap<String, Vec<u8>>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in WalkDir::new(dir).sort_by_file_name().follow_links(false) {
        let entry = entry.with_context(|| format!("{}: cannot walk", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let name =
            entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
        if name.split('/').any(|part| part.starts_with('.')) {
            continue;
        }
        let bytes = std::fs::read(entry.path())
            .with_context(|| format!("{}: cannot read", entry.path().display()))?;
        into.insert(name, bytes);
    }
    Ok(())
}

/// Tera's error and its causes on one line (the cause holds the line and column).
fn chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// A Tera error as `file:line:column: what is wrong` (render errors carry no line in Tera, so
/// they name the file only).
fn template_error(err: &tera::Error, origins: &BTreeMap<String, String>) -> String {
    static NAME: OnceLock<Option<Regex>> = OnceLock::new();
    static AT: OnceLock<Option<Regex>> = OnceLock::new();
    let text = chain(err);
    let name = NAME
        .get_or_init(|| Regex::new(r"'([^']+)'").ok())
        .as_ref()
        .and_then(|re| re.captures(&text))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_string());
    let at = AT
        .get_or_init(|| Regex::new(r"--> (\d+):(\d+)").ok())
        .as_ref()
        .and_then(|re| re.captures(&text))
        .map(|c| format!(":{}:{}", &c[1], &c[2]))
        .unwrap_or_default();
    // Parse errors end with pest's "= expected …" line; render errors are the last cause.
    let detail = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .map(str::to_string)
        .unwrap_or_else(|| text.rsplit(": ").next().unwrap_or(&text).trim().to_string());
    let file = name
        .as_ref()
        .map(|n| origins.get(n).cloned().unwrap_or_else(|| format!("templates/{n}")))
        .unwrap_or_else(|| "templates".to_string());
    format!("{file}{at}: template error: {detail}")
}

#[derive(Serialize)]
struct SiteView<'a> {
    title: &'a str,
    description: Option<&'a str>,
    date: Option<&'a str>,
    generated: &'a str,
    language: &'a str,
    /// `base_url` with one trailing slash, when configured: enables canonical links and feeds.
    base_url: Option<String>,
    syntax_css: bool,
    topics: Vec<NavItem<'a>>,
    sources: Vec<NavItem<'a>>,
    /// On the briefing and the search page only: on every page, it would make every page new
    /// whenever an article is added (see `NavItem`).
    #[serde(skip_serializing_if = "Option::is_none")]
    article_count: Option<usize>,
}

/// A link in the navigation of every page. No counts: a page's fingerprint covers its whole
/// context, and a count here would make every page new whenever one article changed.
#[derive(Serialize)]
struct NavItem<'a> {
    slug: &'a str,
    title: &'a str,
    url: &'a str,
}

impl<'a> SiteView<'a> {
    fn new(briefing: &'a Briefing, config: &'a Config, syntax_css: bool) -> Self {
        SiteView {
            title: &briefing.title,
            description: briefing.description.as_deref(),
            date: briefing.date.as_deref(),
            generated: &briefing.generated,
            language: config.language.as_deref().unwrap_or("en"),
            base_url: config.base_url.as_deref().map(feeds::normalise_base),
            syntax_css,
            topics: briefing
                .topics
                .iter()
                .map(|t| NavItem { slug: &t.slug, title: &t.title, url: &t.url })
                .collect(),
            sources: briefing
                .sources
                .iter()
                .map(|s| NavItem { slug: &s.slug, title: &s.name, url: &s.url })
                .collect(),
            article_count: None,
        }
    }

    /// The view with the archive's article count (for the briefing and the search page).
    fn counted(briefing: &'a Briefing, config: &'a Config, syntax_css: bool) -> Self {
        let count = briefing.sources.iter().map(|s| s.articles.len()).sum();
        SiteView { article_count: Some(count), ..SiteView::new(briefing, config, syntax_css) }
    }
}

#[derive(Serialize)]
struct Cite<'a> {
    slug: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct PointView<'a> {
    text: &'a str,
    anchor: &'a str,
    /// The link to the paragraph the point comes from, relative to the site root.
    href: String,
    cites: Vec<Cite<'a>>,
}

#[derive(Serialize)]
struct TopicView<'a> {
    slug: &'a str,
    title: &'a str,
    url: &'a str,
    editor_summary: bool,
    summary_html: &'a str,
    points: Vec<PointView<'a>>,
    /// `None` on a topic's later pages.
    paragraph_count: Option<usize>,
    sources: Vec<Cite<'a>>,
    configured: bool,
}

impl<'a> TopicView<'a> {
    fn new(topic: &'a TopicEntry, names: &BTreeMap<&'a str, &'a str>, links: &Links) -> Self {
        let cite = |slug: &'a String| Cite { slug, name: names.get(slug.as_str()).copied().unwrap_or(slug) };
        TopicView {
            slug: &topic.slug,
            title: &topic.title,
            url: &topic.url,
            editor_summary: topic.editor_summary,
            summary_html: &topic.summary_html,
            points: topic
                .summary_points
                .iter()
                .map(|p| PointView {
                    text: &p.text,
                    anchor: &p.anchor,
                    href: p.sources.first().map(|s| links.paragraph(s, &p.anchor)).unwrap_or_default(),
                    cites: p.sources.iter().map(cite).collect(),
                })
                .collect(),
            paragraph_count: Some(topic.paragraph_count),
            sources: topic.source_slugs.iter().map(cite).collect(),
            configured: topic.configured,
        }
    }

    /// The topic as its later pages show it: no summary, no paragraph count.
    fn without_summary(self) -> Self {
        TopicView { summary_html: "", points: Vec::new(), paragraph_count: None, ..self }
    }
}

/// Which page of a paged list this is, and the links to its neighbours (folders relative to
/// the site root). Around the current page a window of page numbers; `gap_before` marks where
/// numbers were skipped.
#[derive(Serialize)]
struct Pager {
    number: usize,
    total: usize,
    prev: Option<String>,
    next: Option<String>,
    pages: Vec<PageLink>,
}

#[derive(Serialize)]
struct PageLink {
    number: usize,
    url: String,
    gap_before: bool,
}

impl Pager {
    fn new(first: &str, number: usize, total: usize) -> Pager {
        let shown = |n: usize| n == 1 || n == total || n.abs_diff(number) <= 2;
        let mut pages = Vec::new();
        let mut last = 0;
        for n in (1..=total).filter(|&n| shown(n)) {
            pages.push(PageLink { number: n, url: page_url(first, n), gap_before: n > last + 1 });
            last = n;
        }
        Pager {
            number,
            total,
            prev: (number > 1).then(|| page_url(first, number - 1)),
            next: (number < total).then(|| page_url(first, number + 1)),
            pages,
        }
    }
}

/// A list, newest first, as its pages show it (`assemble::page_from_oldest`): the first page takes
/// what is left when the rest are counted off from the oldest end, so that what is added in
/// front changes the first page only. An empty list still has its first page.
fn pages_from_oldest<'a, T>(first: &str, items: &'a [T], per_page: usize) -> Vec<(Pager, &'a [T])> {
    let per_page = per_page.max(1);
    let (front, rest) = items.split_at(crate::assemble::first_page_len(items.len(), per_page));
    let chunks: Vec<&[T]> = std::iter::once(front).chain(rest.chunks(per_page)).collect();
    let total = chunks.len();
    chunks.into_iter().enumerate().map(|(i, chunk)| (Pager::new(first, i + 1, total), chunk)).collect()
}

/// `../` for every folder in `path` (`topics/gaza/page/2/` → `../../../../`).
fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// One article's paragraphs on a topic: the unit topic pages are split by.
struct TopicItem<'a> {
    source: &'a SourceEntry,
    article: &'a ArticleEntry,
    paragraphs: Vec<&'a Paragraph>,
}

/// The timeline a page shows (`views::timeline_days`): the latest days of the briefing's (the
/// index's) or of a topic's (its first page's), with its hash for the page's fingerprint.
struct PageTimeline {
    days: Vec<views::TimelineDay>,
    earlier: usize,
    hash: [u8; 16],
}

impl PageTimeline {
    fn new(briefing: &Briefing, topic: Option<&str>, links: &Links) -> Result<PageTimeline> {
        let (limit, latest) = match topic {
            None => (views::DAY_LIMIT_OVERVIEW, views::DAYS_OVERVIEW),
            Some(_) => (views::DAY_LIMIT_TOPIC, views::DAYS_TOPIC),
        };
        let (days, earlier) = views::timeline_days(briefing, topic, links, limit, latest);
        Ok(PageTimeline { hash: value_hash(&days)?, days, earlier })
    }

    fn insert_into(&self, context: &mut PageContext) {
        context.insert("timeline_days", &Hashed { value: &self.days, hash: self.hash });
        context.insert("timeline_earlier", &self.earlier);
    }
}

/// A hash of `value` as a fingerprint takes it (for `Hashed`).
fn value_hash<T: Serialize + ?Sized>(value: &T) -> Result<[u8; 16]> {
    let mut fingerprint = Fingerprinter::default();
    value.serialize(crate::fingerprint::Binary(&mut fingerprint)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut hash = [0u8; 16];
    hash.copy_from_slice(&fingerprint.finish().0[..16]);
    Ok(hash)
}

/// A topic's articles with paragraphs on it: newest first (an undated article last), then in
/// source order and each source's order. The latest reports lead, and an article added on the
/// newest day goes in front, leaving the later pages (counted off from the oldest,
/// `pages_from_oldest`) as they were.
fn topic_items<'a>(topic: &'a TopicEntry, sources: &'a [SourceEntry]) -> Vec<TopicItem<'a>> {
    let wanted = topic.configured.then_some(topic.slug.as_str());
    let mut items = Vec::new();
    for source in sources {
        for article in &source.articles {
            let paragraphs: Vec<&Paragraph> = article
                .paragraphs
                .iter()
                .filter(|p| p.kind == BlockKind::Paragraph && p.topic.as_deref() == wanted)
                .collect();
            if !paragraphs.is_empty() {
                items.push(TopicItem { source, article, paragraphs });
            }
        }
    }
    // Stable: the same date keeps source order.
    items.sort_by(|a, b| b.article.date.cmp(&a.article.date));
    items
}

/// A topic page's paragraphs, grouped by source (in the order the outlets first come on the
/// page) and article.
#[derive(Serialize)]
struct TopicGroup<'a> {
    source: Cite<'a>,
    articles: Vec<TopicArticle<'a>>,
}

#[derive(Serialize)]
struct TopicArticle<'a> {
    headline: Option<&'a str>,
    date: Option<&'a str>,
    /// The folder of the source page the article is on.
    url: &'a str,
    /// In a fingerprint, the article's hash: which of its paragraphs are on the topic follows
    /// from the article and the topic.
    paragraphs: Hashed<'a, [&'a Paragraph]>,
}

fn topic_groups<'a>(items: &'a [TopicItem<'a>]) -> Vec<TopicGroup<'a>> {
    let mut groups: Vec<TopicGroup> = Vec::new();
    for item in items {
        let article = TopicArticle {
            headline: item.article.headline.as_deref(),
            date: item.article.date.as_deref(),
            url: &item.article.url,
            paragraphs: Hashed { value: &item.paragraphs, hash: item.article.hash },
        };
        match groups.iter_mut().find(|g| g.source.slug == item.source.slug) {
            Some(group) => group.articles.push(article),
            None => groups.push(TopicGroup {
                source: Cite { slug: &item.source.slug, name: &item.source.name },
                articles: vec![article],
            }),
        }
    }
    groups
}

/// A source page: the outlet and one page's share of its articles.
#[derive(Serialize)]
struct SourcePage<'a> {
    #[serde(flatten)]
    outlet: OutletView<'a>,
    /// This page's articles with the topics each touches.
    entries: Vec<SourceArticle<'a>>,
}

struct SourceArticle<'a> {
    entry: &'a ArticleEntry,
    /// Titles of the topics this article touches, in topic order.
    topics: Vec<Cite<'a>>,
    /// The headline, or the opening words of the article when it has none.
    title: String,
}

/// The article's fields with `topics` and `title` beside them; in a fingerprint, its hash
/// stands for the fields.
impl Serialize for SourceArticle<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shown<'b, 'a> {
            #[serde(flatten)]
            entry: &'a ArticleEntry,
            topics: &'b [Cite<'a>],
            title: &'b str,
        }
        if serializer.is_human_readable() {
            Shown { entry: self.entry, topics: &self.topics, title: &self.title }.serialize(serializer)
        } else {
            (Hashed { value: self.entry, hash: self.entry.hash }, &self.topics, &self.title)
                .serialize(serializer)
        }
    }
}

impl<'a> SourcePage<'a> {
    fn new(
        entry: &'a SourceEntry,
        articles: &'a [ArticleEntry],
        topics: &'a [TopicEntry],
        first_page: bool,
    ) -> Self {
        let entries = articles
            .iter()
            .map(|article| {
                let topics = topics
                    .iter()
                    .filter(|t| {
                        t.configured
                            && article.paragraphs.iter().any(|p| p.topic.as_deref() == Some(t.slug.as_str()))
                    })
                    .map(|t| Cite { slug: &t.slug, name: &t.title })
                    .collect();
                SourceArticle { entry: article, topics, title: display_title(article) }
            })
            .collect();
        let outlet = OutletView {
            article_count: first_page.then_some(entry.articles.len()),
            ..OutletView::new(entry)
        };
        SourcePage { outlet, entries }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pages a list is rendered on hold each item on the page its links point to
    /// (`assemble::page_from_oldest`).
    #[test]
    fn pages_hold_the_items_where_their_links_point() {
        for per_page in 1..5 {
            for count in 0..30 {
                let items: Vec<usize> = (0..count).collect();
                let pages = pages_from_oldest("topics/t/", &items, per_page);
                assert!(!pages.is_empty());
                for (pager, chunk) in &pages {
                    assert_eq!(pager.total, pages.len());
                    for &item in *chunk {
                        let page = crate::assemble::page_from_oldest(item, count, per_page);
                        assert_eq!(page, pager.number, "item {item} of {count}, {per_page} a page");
                    }
                }
            }
        }
    }
}
