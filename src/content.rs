//! `content/`: editor-owned Markdown with TOML front matter between `+++` lines.
//! `_index.md` is the briefing's lead, `topics/<slug>.md` a topic's summary (and optional
//! keywords), `sources/<slug>.md` an outlet's name, url, seeds and notes.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use serde::Deserialize;
use walkdir::WalkDir;

use crate::config::CleanOverrides;
use crate::error::located;
use crate::markdown::{self, Rendered};

#[derive(Debug, Clone, Default)]
pub struct Content {
    pub index: Option<Page<IndexMeta>>,
    pub topics: BTreeMap<String, Page<TopicMeta>>,
    pub sources: BTreeMap<String, Page<SourceMeta>>,
}

/// One content file: its front matter, raw Markdown body and rendered HTML.
#[derive(Debug, Clone)]
pub struct Page<M> {
    pub path: String,
    pub meta: M,
    pub body: String,
    pub rendered: Rendered,
}

impl<M> Page<M> {
    /// True when the file has prose after its front matter.
    pub fn has_body(&self) -> bool {
        !self.body.trim().is_empty()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexMeta {
    pub title: Option<String>,
    pub dek: Option<String>,
    #[serde(default, with = "crate::config::date_format")]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicMeta {
    pub title: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub order: Option<i64>,
    /// Set by `brief draft`: the body is a generated draft, not an editor's summary.
    #[serde(default)]
    pub draft: bool,
    /// Hash of the drafted body; an edited body no longer matches it.
    pub draft_hash: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceMeta {
    pub name: Option<String>,
    pub url: Option<String>,
    /// Seed files (relative to `seeds/`, or starting with `seeds/`) this outlet published.
    #[serde(default)]
    pub seeds: Vec<String>,
    #[serde(default, with = "crate::config::date_format")]
    pub date: Option<NaiveDate>,
    /// Other names the outlet goes by in article text ("MEE").
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub clean: CleanOverrides,
}

impl Content {
    pub fn load(root: &Path) -> Result<Content> {
        let dir = root.join("content");
        let mut content = Content::default();
        if !dir.is_dir() {
            return Ok(content);
        }
        let walker = WalkDir::new(&dir).sort_by_file_name().follow_links(false);
        let mut errors = Vec::new();
        for entry in walker {
            let entry = entry.with_context(|| format!("{}: cannot walk", dir.display()))?;
            let path = entry.path();
            if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            let relative = path.strip_prefix(root).unwrap_or(path);
            let rel = relative.to_string_lossy().replace('\\', "/");
            let stem = path.file_stem().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
            let parent = path.parent().and_then(|p| p.file_name()).map(|p| p.to_string_lossy().to_string());
            let result = match (parent.as_deref(), stem.as_str()) {
                (Some("content"), "_index") => load_page(path, &rel).map(|p| content.index = Some(p)),
                (Some("topics"), _) => load_page(path, &rel).map(|p| {
                    content.topics.insert(stem.clone(), p);
                }),
                (Some("sources"), _) => load_page(path, &rel).map(|p| {
                    content.sources.insert(stem.clone(), p);
                }),
                _ => Ok(()),
            };
            if let Err(e) = result {
                errors.push(e);
            }
        }
        match errors.len() {
            0 => Ok(content),
            1 => Err(errors.remove(0)),
            _ => {
                let all: Vec<String> = errors.iter().map(|e| format!("{e:#}")).collect();
                bail!("{} content files have errors:\n{}", all.len(), all.join("\n"))
            }
        }
    }
}

fn load_page<M: for<'de> Deserialize<'de> + Default>(path: &Path, rel: &str) -> Result<Page<M>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("{rel}: cannot read (is it UTF-8?)"))?;
    let (front, body) = split_front_matter(&text).map_err(|msg| anyhow::anyhow!("{rel}:1: {msg}"))?;
    let meta = match front {
        Some(front) => toml::from_str(front).map_err(|e| located(Path::new(rel), front, 1, e))?,
        None => M::default(),
    };
    let rendered = markdown::render(body);
    Ok(Page { path: rel.to_string(), meta, body: body.to_string(), rendered })
}

/// Splits `+++\n…\n+++\n` front matter from the body. No front matter is fine; an opening
/// `+++` without a closing one is an error.
pub fn split_front_matter(text: &str) -> std::result::Result<(Option<&str>, &str), String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text.strip_prefix("+++") else {
        return Ok((None, text));
    };
    let rest = rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix('\n'));
    let Some(rest) = rest else {
        return Err("front matter must start with a line of `+++`".into());
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let front = &rest[..offset];
            let body = &rest[offset + line.len()..];
            return Ok((Some(front), body));
        }
        offset += line.len();
    }
    Err("front matter opened with `+++` is never closed; add a line `+++` after it".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter() {
        let (front, body) = split_front_matter("+++\ntitle = \"x\"\n+++\nHello\n").unwrap();
        assert_eq!(front, Some("title = \"x\"\n"));
        assert_eq!(body, "Hello\n");
        let (front, body) = split_front_matter("Just text").unwrap();
        assert_eq!(front, None);
        assert_eq!(body, "Just text");
        assert!(split_front_matter("+++\ntitle = 1\n").is_err());
    }

    #[test]
    fn bad_front_matter_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/topics")).unwrap();
        std::fs::write(
            dir.path().join("content/topics/gaza.md"),
            "+++\ntitle = \"Gaza\"\nkeywords = [\"a\",\n+++\nBody\n",
        )
        .unwrap();
        let err = Content::load(dir.path()).unwrap_err().to_string();
        assert!(err.starts_with("content/topics/gaza.md:"), "{err}");
        let line: usize = err.split(':').nth(1).unwrap().parse().unwrap();
        assert!((3..=5).contains(&line), "{err}");
    }

    #[test]
    fn loads_topic_and_source_pages() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/sources")).unwrap();
        std::fs::write(
            dir.path().join("content/sources/cgtn.md"),
            "+++\nname = \"CGTN\"\nseeds = [\"000.txt\"]\n+++\nState broadcaster.\n",
        )
        .unwrap();
        let content = Content::load(dir.path()).unwrap();
        let page = &content.sources["cgtn"];
        assert_eq!(page.meta.name.as_deref(), Some("CGTN"));
        assert!(page.rendered.html.contains("<p>State broadcaster.</p>"));
    }
}
