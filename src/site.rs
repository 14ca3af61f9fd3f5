//! The pipeline, stage by stage: config and content, ingest, clean, outlet, topics, assemble,
//! render. `Site::load` builds everything in memory (for `build`, tests and later `check`);
//! `build` writes it with `write::write_site`.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Result;
use rayon::prelude::*;

use crate::assemble::{self, Inputs};
use crate::clean::{self, Cleaner};
use crate::config::Config;
use crate::content::Content;
use crate::ingest::{self, Warning};
use crate::model::{Briefing, CleanedArticle};
use crate::outlet;
use crate::render::{self, OutputFile, Renderer};
use crate::topics::{self, Matcher};
use crate::{markdown, write};

/// A built site in memory.
pub struct Site {
    pub briefing: Briefing,
    pub files: Vec<OutputFile>,
    pub warnings: Vec<Warning>,
    pub timings: Vec<(&'static str, Duration)>,
}

pub struct BuildOptions {
    /// `SOURCE_DATE_EPOCH`: the timestamp printed on the site, for reproducible builds.
    pub source_date_epoch: Option<i64>,
}

impl BuildOptions {
    pub fn from_env() -> BuildOptions {
        BuildOptions {
            source_date_epoch: std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse().ok()),
        }
    }
}

impl Site {
    pub fn load(root: &Path, options: &BuildOptions) -> Result<Site> {
        let mut timings = Vec::new();
        let mut clock = Instant::now();
        let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, Duration)>| {
            timings.push((name, clock.elapsed()));
            clock = Instant::now();
        };

        let config = Config::load(root)?;
        let content = Content::load(root)?;
        let renderer = Renderer::load(root, &config)?;
        let topic_list = topics::topics_from(&config, &content)?;
        lap("config", &mut timings);

        let ingested = ingest::ingest(root)?;
        lap("ingest", &mut timings);

        let mut cleaner = Cleaner::new(&config.clean)?;
        cleaner.learn_repeats(&ingested.articles);
        let mut cleaned: Vec<CleanedArticle> =
            ingested.articles.par_iter().map(|a| clean::clean(a, &cleaner)).collect();
        lap("clean", &mut timings);

        let attribution = outlet::identify(&cleaned, &content);
        // An outlet's own `[clean]` patterns apply once the outlet is known.
        let outlet_of: Vec<&str> =
            attribution.of_article.iter().map(|&i| attribution.outlets[i].slug.as_str()).collect();
        clean::reclean_for_outlets(&ingested.articles, &mut cleaned, &outlet_of, &cleaner, &content)?;
        lap("outlet", &mut timings);

        let matcher = Matcher::new(&topic_list);
        let assignments: Vec<Vec<Option<usize>>> =
            cleaned.par_iter().map(|a| topics::assign(a.headline.as_deref(), &a.blocks, &matcher)).collect();
        lap("topics", &mut timings);

        let briefing = assemble::assemble(&Inputs {
            config: &config,
            content: &content,
            articles: &cleaned,
            attribution: &attribution,
            topics: &topic_list,
            assignments: &assignments,
            source_date_epoch: options.source_date_epoch,
        });
        lap("assemble", &mut timings);

        let needs_syntax_css = content_has_code(&content);
        let mut files = renderer.render(&briefing, &config, needs_syntax_css)?;
        files.extend(render::static_files(root, &config)?);
        if needs_syntax_css {
            files.push(OutputFile {
                path: "static/syntax.css".into(),
                bytes: markdown::syntax_css().into_bytes(),
            });
        }
        lap("render", &mut timings);

        Ok(Site { briefing, files, warnings: ingested.warnings, timings })
    }
}

fn content_has_code(content: &Content) -> bool {
    content.index.iter().any(|p| p.rendered.has_code)
        || content.topics.values().any(|p| p.rendered.has_code)
        || content.sources.values().any(|p| p.rendered.has_code)
}

/// Builds the project at `root` into `output`. Nothing is written unless every stage succeeded.
pub fn build(root: &Path, output: &Path, force: bool, options: &BuildOptions) -> Result<Site> {
    let mut site = Site::load(root, options)?;
    let clock = Instant::now();
    write::write_site(output, &site.files, force)?;
    site.timings.push(("write", clock.elapsed()));
    Ok(site)
}
